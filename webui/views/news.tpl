% if news or may_post:
<section class="card news" aria-labelledby="news">
  <h2 id="news">{{t('Staff news')}}</h2>
  % if not news:
  <p class="empty">{{t('No news for the staff.')}}</p>
  % end
  % for item in news:
  <article class="note {{'pinned' if item.pinned else ''}}">
    <h3>{{item.title}}
    % if item.pinned:
      <span class="badge">{{t('pinned')}}</span>
    % end
    </h3>
    % if item.text:
    <p>{{item.text}}</p>
    % end
    <p class="meta">{{item.author_name}} · {{when(item.created_at)}}{{(' · ' + t('until') + ' ' + date(item.last_day(), True)) if item.until else ''}}</p>
    % if may_post:
    <form method="post" action="/news/{{item.id}}/remove" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" data-confirm="{{t('Remove this note from every dashboard?')}}">{{t('Remove')}}</button>
    </form>
    % end
  </article>
  % end
  % if may_post:
  <details {{'open' if news_error else ''}}>
    <summary>{{t('Post a note for the staff')}}</summary>
    % if news_error:
    <p class="error" role="alert">{{news_error}}</p>
    % end
    <form method="post" action="/news">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t('Title')}} <input name="title" value="{{typed.get('title') or ''}}" required maxlength="{{title_max}}"></label>
      <label for="news-text">{{t('Text')}}</label>
      <textarea id="news-text" name="text" rows="3" maxlength="{{text_max}}">{{typed.get('text') or ''}}</textarea>
      <label>{{t('Show until (empty: until removed)')}} <input type="date" name="until" value="{{typed.get('until') or ''}}"></label>
      <label class="check"><input type="checkbox" name="pinned" value="1" {{'checked' if typed.get('pinned') else ''}}> {{t('Pin on top')}}</label>
      <div class="buttons"><button type="submit" class="primary">{{t('Post')}}</button></div>
    </form>
  </details>
  % end
</section>
% end
