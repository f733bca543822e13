% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Staff-made answers')}}</h1>
<p class="meta">{{t('A customer who texts the keyword, or writes one of the phrases, gets the reply in their language.')}} {{t('An answer is switched off before it can be deleted.')}}</p>
% if not answers:
<p class="empty">{{t('No answers yet.')}}</p>
% end
<ul class="answers">
% for a in answers:
  <li class="{{'' if a.active else 'off'}}" id="answer-{{a.id}}">
    <strong>{{a.keyword}}</strong>
    % if not a.active:
    <span class="badge">{{t('Off')}}</span>
    % end
    % if a.phrases:
    <p class="meta">{{a.phrases}}</p>
    % end
    <p class="reply"><span class="badge">ID</span> {{a.reply_id}} <span class="meta">({{parts[a.id][0]}} SMS)</span></p>
    <p class="reply"><span class="badge">EN</span> {{a.reply_en}} <span class="meta">({{parts[a.id][1]}} SMS)</span></p>
    <div class="actions">
      <a href="/settings/answers?edit={{a.id}}#answer-form">{{t('Edit')}}</a>
      <form method="post" action="/settings/answers/act">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{a.id}}">
        <button type="submit" name="action" value="{{'off' if a.active else 'on'}}">{{t('Switch off' if a.active else 'Switch on')}}</button>
      </form>
      % if not a.active:
      <form method="post" action="/settings/answers/act">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{a.id}}">
        <button type="submit" name="action" value="delete" class="danger">{{t('Delete')}}</button>
      </form>
      % end
    </div>
  </li>
% end
</ul>
<section class="card" id="answer-form">
  <h2>{{t('Edit answer') if draft.get('id') else t('New answer')}}</h2>
  % if error:
  <p class="error" role="alert">{{error}}</p>
  % end
  <form method="post" action="/settings/answers">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="id" value="{{draft.get('id') or ''}}">
    <label for="answer-keyword">{{t('Keyword')}}</label>
    <input id="answer-keyword" name="keyword" value="{{draft.get('keyword', '')}}" maxlength="24" required placeholder="{{t('such as ACCOUNT')}}" autocapitalize="characters">
    <label for="answer-phrases">{{t('Customers may also write (comma separated)')}}</label>
    <input id="answer-phrases" name="phrases" value="{{draft.get('phrases', '')}}" maxlength="1300" placeholder="{{t('such as account number, where to transfer')}}">
    <label for="answer-id">{{t('Reply in Indonesian')}}</label>
    <textarea id="answer-id" name="reply_id" rows="3" maxlength="{{max_reply}}" required data-counter="answer-id-counter">{{draft.get('reply_id', '')}}</textarea>
    <p id="answer-id-counter" class="counter meta" data-words="{{t('characters')}}|{{t('left in this part')}}|{{t('because of')}}" aria-live="polite"></p>
    <label for="answer-en">{{t('Reply in English')}}</label>
    <textarea id="answer-en" name="reply_en" rows="3" maxlength="{{max_reply}}" required data-counter="answer-en-counter">{{draft.get('reply_en', '')}}</textarea>
    <p id="answer-en-counter" class="counter meta" data-words="{{t('characters')}}|{{t('left in this part')}}|{{t('because of')}}" aria-live="polite"></p>
    <button type="submit" class="primary">{{t('Save')}}</button>
    % if draft.get('id'):
    <a href="/settings/answers">{{t('Cancel')}}</a>
    % end
  </form>
</section>
